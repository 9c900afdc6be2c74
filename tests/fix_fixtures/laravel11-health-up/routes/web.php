<?php

use Illuminate\Support\Facades\Route;
use Notes\Http\Controllers\NoteController;

Route::middleware('auth')->group(function () {
    Route::get('/', [NoteController::class, 'index']);
    Route::resource('notes', NoteController::class);
});
