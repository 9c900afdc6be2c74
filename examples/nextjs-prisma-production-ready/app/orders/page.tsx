import { prisma } from "@/lib/db";

export const dynamic = "force-dynamic";

export default async function Orders() {
  const orders = await prisma.order.findMany({ orderBy: { createdAt: "desc" }, take: 50 });
  return (
    <main>
      <h1>Recent orders</h1>
      <ul>
        {orders.map((o) => (
          <li key={o.id}>
            #{o.id} {o.email} {o.status}
          </li>
        ))}
      </ul>
    </main>
  );
}
