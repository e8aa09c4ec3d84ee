-- After sending a reply, an agent stays on the conversation, opens the next one of the list they
-- came from, or goes back to that list; the choice is remembered per agent.
CREATE TYPE "AfterSend" AS ENUM ('stay', 'next', 'list');
ALTER TABLE "agents" ADD COLUMN "afterSend" "AfterSend" NOT NULL DEFAULT 'stay';
