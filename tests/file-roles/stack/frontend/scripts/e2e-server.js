// Serves the built files for the Playwright run.
const express = require("express");
const app = express();
app.use(express.static("dist"));
app.listen(8888, () => console.log("e2e server on 8888"));
