import { prisma } from "@/lib/db";

export const dynamic = "force-dynamic";

export default async function Home() {
  const products = await prisma.product.findMany({ orderBy: { createdAt: "desc" }, take: 12 });
  return (
    <main>
      <h1>Acme Storefront</h1>
      <ul>
        {products.map((p) => (
          <li key={p.id}>
            {p.name} — ${(p.priceCents / 100).toFixed(2)}
          </li>
        ))}
      </ul>
    </main>
  );
}
