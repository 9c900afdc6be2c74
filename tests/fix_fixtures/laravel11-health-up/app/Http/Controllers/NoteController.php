<?php

namespace Notes\Http\Controllers;

use Illuminate\Http\Request;

class NoteController
{
    public function index(Request $request)
    {
        return $request->user()->notes()->latest()->get();
    }
}
