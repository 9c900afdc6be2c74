console.log("booting the single-page app");
document.body.textContent = "stack";
