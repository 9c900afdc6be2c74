import express, { type Express } from "express";
import { usersRouter } from "./routes/users.js";

const app: Express = express();
app.use(express.json());
app.use("/users", usersRouter);

const port = Number(process.env.PORT) || 3000;
app.listen(port, () => {
  console.log(`listening on ${port}`);
});
