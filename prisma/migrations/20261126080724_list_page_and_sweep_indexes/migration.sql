-- DropIndex
DROP INDEX "conversations_status_pendingSince_idx";

-- CreateIndex
CREATE INDEX "conversations_status_pendingSince_reminderSentAt_idx" ON "conversations"("status", "pendingSince", "reminderSentAt");

-- CreateIndex
CREATE INDEX "conversations_assigneeId_folderId_status_idx" ON "conversations"("assigneeId", "folderId", "status");

-- CreateIndex
CREATE INDEX "conversations_previousConversationId_idx" ON "conversations"("previousConversationId");
