-- Acknowledgement of new requests, per folder: on by default; an empty text means the built-in one.
ALTER TABLE "folders" ADD COLUMN "acknowledge" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "folders" ADD COLUMN "acknowledgementText" TEXT NOT NULL DEFAULT '';

-- A customer's message with its quoted history folded away, computed once when it arrives.
-- NULL: nothing to fold (or stored before this column existed); the page shows "bodyHtml".
ALTER TABLE "messages" ADD COLUMN "visibleHtml" TEXT;
