var express = require('express');
var pledgesRouter = require('./routes/pledges');

var app = express();

app.use(express.json());
app.use('/pledges', pledgesRouter);

module.exports = app;
