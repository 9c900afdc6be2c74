<?php

use Illuminate\Support\Facades\Artisan;

Artisan::command('tickets:count', function () {
    $this->info(\App\Models\Ticket::count());
});
