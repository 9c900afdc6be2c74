<?php

use Illuminate\Support\Facades\Artisan;

Artisan::command('notes:count', function () {
    $this->info((string) \Notes\Models\Note::count());
});
