from django.urls import path

from accordo.work import views_board, views_tasks

app_name = "work"

urlpatterns = [
    path("board/", views_board.board, name="board"),
    path("board/column/", views_board.board_column, name="board_column"),
    path("tasks/new/", views_tasks.task_new, name="task_new"),
    path("tasks/<uuid:public_id>/", views_tasks.task_detail, name="task"),
    path("tasks/<uuid:public_id>/move/", views_board.task_move, name="task_move"),
    path("tasks/<uuid:public_id>/assign/", views_tasks.task_assign, name="task_assign"),
]
