-- A worker claims a stored message while it processes it; after the lease (the worker died)
-- another may take it. NULL: nobody holds it.
ALTER TABLE "inbound_messages" ADD COLUMN "claimedAt" TIMESTAMPTZ(3);
