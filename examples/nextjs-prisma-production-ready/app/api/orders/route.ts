import { NextResponse } from "next/server";
import { z } from "zod";
import { prisma } from "@/lib/db";
import { redis } from "@/lib/redis";

const OrderInput = z.object({
  email: z.string().email(),
  items: z.array(z.object({ productId: z.number().int(), quantity: z.number().int().positive() })),
});

export async function GET() {
  const cached = await redis.get("orders:recent");
  if (cached) return NextResponse.json(JSON.parse(cached));
  const orders = await prisma.order.findMany({ orderBy: { createdAt: "desc" }, take: 20 });
  await redis.set("orders:recent", JSON.stringify(orders), "EX", 30);
  return NextResponse.json(orders);
}

export async function POST(request: Request) {
  const input = OrderInput.safeParse(await request.json());
  if (!input.success) return NextResponse.json(input.error.flatten(), { status: 400 });
  const products = await prisma.product.findMany({
    where: { id: { in: input.data.items.map((i) => i.productId) } },
  });
  const totalCents = input.data.items.reduce((sum, item) => {
    const product = products.find((p) => p.id === item.productId);
    return sum + (product ? product.priceCents * item.quantity : 0);
  }, 0);
  const order = await prisma.order.create({
    data: { email: input.data.email, totalCents, items: { create: input.data.items } },
  });
  await redis.del("orders:recent");
  return NextResponse.json(order, { status: 201 });
}
