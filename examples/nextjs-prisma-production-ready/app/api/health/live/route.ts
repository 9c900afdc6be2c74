// Liveness: the process answers. Touches no back-end, so a database outage
// does not make the orchestrator restart every instance.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "pass" }, { headers: { "Cache-Control": "no-store" } });
}
