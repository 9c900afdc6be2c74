#!/usr/bin/env bash
for f in assets/*.svg; do echo "$f"; done
