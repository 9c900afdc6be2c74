import express from "express";
import mongoose from "mongoose";

const app = express();
app.use(express.json());

const Note = mongoose.model("Note", new mongoose.Schema({ text: String }));

app.get("/notes", async (_req, res) => {
  res.json(await Note.find().limit(50));
});

await mongoose.connect(process.env.MONGODB_URI);
app.listen(Number(process.env.PORT ?? 3000));
