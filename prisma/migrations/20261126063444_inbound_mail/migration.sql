-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "undeliverableAt" TIMESTAMPTZ(3),
ADD COLUMN     "undeliverableReason" TEXT;

-- AlterTable
ALTER TABLE "inbound_messages" ADD COLUMN     "messageIdHeader" TEXT,
ADD COLUMN     "note" TEXT,
ADD COLUMN     "subject" TEXT;

-- CreateIndex
CREATE INDEX "inbound_messages_messageIdHeader_idx" ON "inbound_messages"("messageIdHeader");
