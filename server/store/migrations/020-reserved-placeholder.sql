-- Placeholder on branch deploy only: 020 is taken by another branch. Delete this file at merge
-- (the strict loader needs contiguous numbers; 022-agent-updates.sql follows).
SELECT 1;
