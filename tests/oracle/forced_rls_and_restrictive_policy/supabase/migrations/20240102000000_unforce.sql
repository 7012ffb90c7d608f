alter table drafts no force row level security;
