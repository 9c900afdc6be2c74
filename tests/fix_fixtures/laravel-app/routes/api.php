<?php

use Illuminate\Support\Facades\Route;

Route::get('/version', function () {
    return ['version' => '1.4.0'];
});
