alter table profiles add column display_name text;
