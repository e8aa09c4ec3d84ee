-- Satisfaction ratings, business hours per folder and the report rollups kept from the event log.

-- CreateEnum
CREATE TYPE "RatingValue" AS ENUM ('great', 'okay', 'bad');

-- AlterEnum
ALTER TYPE "NotificationKind" ADD VALUE 'bad_rating';

-- AlterTable
ALTER TABLE "folders" ADD COLUMN     "businessHours" JSONB,
ADD COLUMN     "ratingsEnabled" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ratings" (
    "conversationId" INTEGER NOT NULL,
    "customerId" INTEGER NOT NULL,
    "value" "RatingValue" NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "confirmed" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ratings_pkey" PRIMARY KEY ("conversationId")
);

-- CreateTable
CREATE TABLE "report_conversations" (
    "conversationId" INTEGER NOT NULL,
    "contribution" JSONB NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_conversations_pkey" PRIMARY KEY ("conversationId")
);

-- CreateTable
CREATE TABLE "report_daily" (
    "day" DATE NOT NULL,
    "folderId" INTEGER NOT NULL,
    "agentId" INTEGER NOT NULL DEFAULT 0,
    "tagId" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "customerMessages" INTEGER NOT NULL DEFAULT 0,
    "replies" INTEGER NOT NULL DEFAULT 0,
    "closed" INTEGER NOT NULL DEFAULT 0,
    "firstResponses" INTEGER NOT NULL DEFAULT 0,
    "firstResponseSeconds" BIGINT NOT NULL DEFAULT 0,
    "firstResponseBusinessSeconds" BIGINT NOT NULL DEFAULT 0,
    "resolutions" INTEGER NOT NULL DEFAULT 0,
    "resolutionSeconds" BIGINT NOT NULL DEFAULT 0,
    "resolutionBusinessSeconds" BIGINT NOT NULL DEFAULT 0,
    "resolutionReplies" INTEGER NOT NULL DEFAULT 0,
    "ratingsGreat" INTEGER NOT NULL DEFAULT 0,
    "ratingsOkay" INTEGER NOT NULL DEFAULT 0,
    "ratingsBad" INTEGER NOT NULL DEFAULT 0,
    "remindersSent" INTEGER NOT NULL DEFAULT 0,
    "remindersSolved" INTEGER NOT NULL DEFAULT 0,
    "remindersNotSolved" INTEGER NOT NULL DEFAULT 0,
    "autoClosed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "report_daily_pkey" PRIMARY KEY ("tagId","day","folderId","agentId")
);

-- CreateTable
CREATE TABLE "report_durations" (
    "day" DATE NOT NULL,
    "folderId" INTEGER NOT NULL,
    "agentId" INTEGER NOT NULL DEFAULT 0,
    "tagId" INTEGER NOT NULL DEFAULT 0,
    "metric" SMALLINT NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "report_durations_pkey" PRIMARY KEY ("agentId","tagId","day","folderId","metric","bucket")
);

-- CreateTable
CREATE TABLE "report_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "folderId" INTEGER NOT NULL,
    "tagId" INTEGER NOT NULL DEFAULT 0,
    "messages" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "report_hourly_pkey" PRIMARY KEY ("tagId","hour","folderId")
);

-- CreateIndex
CREATE INDEX "ratings_updatedAt_idx" ON "ratings"("updatedAt" DESC);

-- AddForeignKey
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A report of the whole team reads its durations from this index alone (no visit to the table).
CREATE INDEX "report_durations_read_idx" ON "report_durations"("agentId", "tagId", "metric", "day", "folderId", "bucket") INCLUDE ("count");
