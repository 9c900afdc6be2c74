<?php

use App\Http\Controllers\TicketController;
use Illuminate\Support\Facades\Route;

// Everything is behind HTTP basic auth, including the catch-all.
Route::middleware('auth.basic')->group(function () {
    Route::get('/tickets', [TicketController::class, 'index']);
    Route::post('/tickets', [TicketController::class, 'store']);
    Route::get('/{any}', function () {
        return response('Tickets', 200);
    })->where('any', '.*');
});
