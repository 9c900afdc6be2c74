-- Hand-written: one live account per email; deleted accounts keep theirs.
-- Prisma's schema cannot say "unique where deletedAt is null".
CREATE UNIQUE INDEX "User_email_live_key" ON "User"("email") WHERE "deletedAt" IS NULL;
