import { createHmac } from "crypto";

const secret = process.env.SESSION_SECRET || "dev-session-secret";

export function sign(value: string) {
  return createHmac("sha256", secret).update(value).digest("hex");
}
