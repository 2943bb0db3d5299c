from django.urls import path

from accordo.deadlines import views, views_firm

app_name = "deadlines"
urlpatterns = [
    path("staff/organisations/<uuid:public_id>/calendar/", views.staff_calendar, name="staff_calendar"),
    path("portal/<uuid:public_id>/calendar/", views.client_calendar, name="client_calendar"),
    path("profile/calendar/", views.profile_calendar, name="profile_calendar"),
    path("calendar/<uuid:public_id>/<str:token>.ics", views.feed, name="feed"),
    path("staff/calendar/payroll-dates/", views_firm.payroll_dates, name="payroll_dates"),
    path(
        "staff/calendar/payroll-dates/<uuid:public_id>/remove/",
        views_firm.payroll_date_delete,
        name="payroll_date_delete",
    ),
]
