alter table private.reports set schema public;
alter table drafts set schema private;
