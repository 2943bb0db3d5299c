from django.urls import path

from accordo.filings import views_firm, views_staff

app_name = "filings_staff"

urlpatterns = [
    path("", views_staff.register, name="register"),
    path("import/", views_firm.csv_import, name="import"),
    path("progress/", views_firm.progress, name="progress"),
    path("organisations/<uuid:public_id>/", views_staff.organisation, name="organisation"),
    path("organisations/<uuid:public_id>/new/", views_staff.return_create, name="return_create"),
    path("returns/<uuid:public_id>/", views_staff.return_detail, name="return"),
    path("returns/<uuid:public_id>/amount/", views_staff.return_edit, name="return_edit"),
    path("returns/<uuid:public_id>/status/", views_staff.return_move, name="return_move"),
    path("returns/<uuid:public_id>/assessments/new/", views_staff.assessment_create, name="assessment_create"),
]
