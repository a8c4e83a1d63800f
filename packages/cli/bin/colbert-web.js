#!/usr/bin/env node
// The compiled CLI (dist/) is built by the repository's prepare script on npm ci.
import "../dist/main.js";
