alter table todo_items rename to todos;
