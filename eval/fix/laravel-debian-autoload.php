<?php

// vendor/autoload.php for a Laravel app run on Debian's php-laravel-framework
// (Laravel 8) instead of `composer install`, where packagist.org is out of
// reach. Debian's autoloader loads the framework and its dependencies
// (Symfony, Carbon, Monolog, Dotenv, …); the app's own classes load from
// the PSR-4 folders and `files` of its composer.json, as Composer's would.
// Packages the app requires beyond the framework are not there: an app
// that needs them does not boot this way.

require '/usr/share/php/Illuminate/autoload.php';

(function () {
    $base = dirname(__DIR__);
    $composer = json_decode((string) file_get_contents($base.'/composer.json'), true);
    $autoload = isset($composer['autoload']) && is_array($composer['autoload']) ? $composer['autoload'] : [];
    $psr4 = isset($autoload['psr-4']) && is_array($autoload['psr-4']) ? $autoload['psr-4'] : [];
    spl_autoload_register(function ($class) use ($base, $psr4) {
        foreach ($psr4 as $prefix => $dirs) {
            if ($prefix === '' || strpos($class, $prefix) !== 0) {
                continue;
            }
            foreach ((array) $dirs as $dir) {
                $file = $base.'/'.rtrim($dir, '/').'/'.str_replace('\\', '/', substr($class, strlen($prefix))).'.php';
                if (is_file($file)) {
                    require $file;

                    return;
                }
            }
        }
    });
    foreach (isset($autoload['files']) ? (array) $autoload['files'] : [] as $file) {
        require_once $base.'/'.$file;
    }
})();
