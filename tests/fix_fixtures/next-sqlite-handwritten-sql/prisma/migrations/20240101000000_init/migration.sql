-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "deletedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "User_email_idx" ON "User"("email");
