-- Saved searches: an agent keeps a list (tab, typed query, filters) under a name and finds it in
-- the left column. Private to the agent; deleted with them. One name per agent: saving again
-- under the same name replaces the search.
CREATE TABLE "saved_views" (
    "id" SERIAL NOT NULL,
    "agentId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "saved_views_pkey" PRIMARY KEY ("id")
);

-- Also the index the left column reads an agent's views by (ordered by name).
CREATE UNIQUE INDEX "saved_views_agentId_name_key" ON "saved_views"("agentId", "name");

ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
