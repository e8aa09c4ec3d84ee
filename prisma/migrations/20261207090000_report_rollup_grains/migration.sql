-- Report rollups at the grains a long range reads (src/domain/reports/periods.ts): durations also per
-- ISO week (day = its Monday) and per month (day = its first day), so that a year reads a few dozen
-- months and weeks instead of every day; and the busiest hours as one row per UTC day with its
-- twenty-four hours as columns, instead of one row per hour. The new tables are filled from the old
-- ones, so reports stay right without a rebuild.

CREATE TABLE "report_durations_weekly" (
    "day" DATE NOT NULL,
    "folderId" INTEGER NOT NULL,
    "agentId" INTEGER NOT NULL DEFAULT 0,
    "tagId" INTEGER NOT NULL DEFAULT 0,
    "metric" SMALLINT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "report_durations_weekly_pkey" PRIMARY KEY ("agentId","tagId","day","folderId","metric","bucket")
);

CREATE INDEX "report_durations_weekly_read_idx" ON "report_durations_weekly"("agentId", "tagId", "metric", "day", "folderId", "bucket") INCLUDE ("count");

CREATE TABLE "report_durations_monthly" (
    "day" DATE NOT NULL,
    "folderId" INTEGER NOT NULL,
    "agentId" INTEGER NOT NULL DEFAULT 0,
    "tagId" INTEGER NOT NULL DEFAULT 0,
    "metric" SMALLINT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "report_durations_monthly_pkey" PRIMARY KEY ("agentId","tagId","day","folderId","metric","bucket")
);

CREATE INDEX "report_durations_monthly_read_idx" ON "report_durations_monthly"("agentId", "tagId", "metric", "day", "folderId", "bucket") INCLUDE ("count");

CREATE TABLE "report_hours" (
    "day" DATE NOT NULL,
    "folderId" INTEGER NOT NULL,
    "tagId" INTEGER NOT NULL DEFAULT 0,
    "h0" INTEGER NOT NULL DEFAULT 0,
    "h1" INTEGER NOT NULL DEFAULT 0,
    "h2" INTEGER NOT NULL DEFAULT 0,
    "h3" INTEGER NOT NULL DEFAULT 0,
    "h4" INTEGER NOT NULL DEFAULT 0,
    "h5" INTEGER NOT NULL DEFAULT 0,
    "h6" INTEGER NOT NULL DEFAULT 0,
    "h7" INTEGER NOT NULL DEFAULT 0,
    "h8" INTEGER NOT NULL DEFAULT 0,
    "h9" INTEGER NOT NULL DEFAULT 0,
    "h10" INTEGER NOT NULL DEFAULT 0,
    "h11" INTEGER NOT NULL DEFAULT 0,
    "h12" INTEGER NOT NULL DEFAULT 0,
    "h13" INTEGER NOT NULL DEFAULT 0,
    "h14" INTEGER NOT NULL DEFAULT 0,
    "h15" INTEGER NOT NULL DEFAULT 0,
    "h16" INTEGER NOT NULL DEFAULT 0,
    "h17" INTEGER NOT NULL DEFAULT 0,
    "h18" INTEGER NOT NULL DEFAULT 0,
    "h19" INTEGER NOT NULL DEFAULT 0,
    "h20" INTEGER NOT NULL DEFAULT 0,
    "h21" INTEGER NOT NULL DEFAULT 0,
    "h22" INTEGER NOT NULL DEFAULT 0,
    "h23" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "report_hours_pkey" PRIMARY KEY ("tagId","day","folderId")
);

-- The tag breakdown reads the whole team's rows (-1) of every tag over a range: from this index alone
-- rather than from the whole table.
CREATE INDEX "report_daily_agentId_day_idx" ON "report_daily"("agentId", "day", "tagId", "folderId") INCLUDE ("created");

INSERT INTO "report_durations_weekly" (day, "folderId", "agentId", "tagId", metric, bucket, count)
SELECT date_trunc('week', day::timestamp)::date, "folderId", "agentId", "tagId", metric, bucket, sum(count)
FROM "report_durations" GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(count) <> 0;

INSERT INTO "report_durations_monthly" (day, "folderId", "agentId", "tagId", metric, bucket, count)
SELECT date_trunc('month', day::timestamp)::date, "folderId", "agentId", "tagId", metric, bucket, sum(count)
FROM "report_durations" GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(count) <> 0;

INSERT INTO "report_hours" (day, "folderId", "tagId", "h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10", "h11", "h12", "h13", "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23")
SELECT (hour AT TIME ZONE 'UTC')::date, "folderId", "tagId",
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 0), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 1), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 2), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 3), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 4), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 5), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 6), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 7), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 8), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 9), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 10), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 11), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 12), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 13), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 14), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 15), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 16), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 17), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 18), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 19), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 20), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 21), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 22), 0),
       COALESCE(sum(messages) FILTER (WHERE extract(hour FROM hour AT TIME ZONE 'UTC') = 23), 0)
FROM "report_hourly" GROUP BY 1, 2, 3;

DROP TABLE "report_hourly";

-- Without statistics the planner would take the new tables for empty.
ANALYZE "report_durations_weekly";
ANALYZE "report_durations_monthly";
ANALYZE "report_hours";
ANALYZE "report_daily";
