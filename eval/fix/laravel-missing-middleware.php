<?php

// For eval/fix/harness.sh booting a Laravel app on Debian's
// php-laravel-framework (Laravel 8): comments out the lines of
// app/Http/Kernel.php that name a middleware class that does not exist there
// (fruitcake/laravel-cors of Laravel 8's skeleton, Laravel 9's own
// HandleCors, …), which would fail every request, and prints each class.
// Run from the app folder, after vendor/autoload.php is in place.

require getcwd().'/vendor/autoload.php';

$kernel = getcwd().'/app/Http/Kernel.php';
if (! is_file($kernel)) {
    exit(0);
}
$lines = file($kernel);
$changed = false;
foreach ($lines as $i => $line) {
    if (! preg_match('/^(\s*)\\\\?([A-Za-z0-9_\\\\]+)::class,/', $line, $m)) {
        continue;
    }
    if (class_exists($m[2]) || interface_exists($m[2])) {
        continue;
    }
    $lines[$i] = $m[1].'// (not in Debian) '.ltrim($line);
    $changed = true;
    echo $m[2], "\n";
}
if ($changed) {
    file_put_contents($kernel, implode('', $lines));
}
