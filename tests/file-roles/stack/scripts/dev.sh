#!/usr/bin/env bash
npm install && npm start
