-- The intake asks whether a stored e-mail already became a message (after an interruption).
CREATE INDEX "messages_inboundId_idx" ON "messages"("inboundId");
