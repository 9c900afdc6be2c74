<?php

namespace App\Http\Controllers;

use App\Models\Ticket;
use Illuminate\Http\Request;

class TicketController
{
    public function index()
    {
        return Ticket::query()->latest()->limit(50)->get();
    }

    public function store(Request $request)
    {
        return Ticket::create($request->validate(['title' => 'required|string']));
    }
}
