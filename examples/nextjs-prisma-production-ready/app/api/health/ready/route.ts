import { prisma } from "@/lib/db";
import { redis } from "@/lib/redis";

export const dynamic = "force-dynamic";

const TIMEOUT_MS = 800;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), TIMEOUT_MS)),
  ]);
}

async function probe(name: string, work: () => Promise<unknown>) {
  try {
    await withTimeout(work());
    return [name, { status: "pass" }] as const;
  } catch (error) {
    return [name, { status: "fail", output: String(error) }] as const;
  }
}

export async function GET() {
  const checks = Object.fromEntries(
    await Promise.all([
      probe("database", () => prisma.$queryRaw`SELECT 1`),
      probe("redis", () => redis.ping()),
    ]),
  );
  const ok = Object.values(checks).every((c) => c.status === "pass");
  return Response.json(
    { status: ok ? "pass" : "fail", checks },
    {
      status: ok ? 200 : 503,
      headers: { "Content-Type": "application/health+json", "Cache-Control": "no-store" },
    },
  );
}
