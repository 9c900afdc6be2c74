import { NextResponse } from "next/server";

// The process answers: nothing else is checked here.
export async function GET() {
  return NextResponse.json({ status: "ok" });
}
