from django.urls import path

from accordo.deliveries import views_portal, views_staff

app_name = "deliveries"
urlpatterns = [
    path("staff/deliveries/", views_staff.queue_page, name="staff_queue"),
    path("staff/deliveries/trays/", views_staff.trays_page, name="staff_trays"),
    path("staff/deliveries/bulk/process/", views_staff.bulk_process, name="staff_bulk_process"),
    path("staff/deliveries/<uuid:public_id>/", views_staff.delivery_page, name="staff_delivery"),
    path("staff/deliveries/<uuid:public_id>/file/", views_staff.delivery_file, name="staff_delivery_file"),
    path("staff/deliveries/<uuid:public_id>/confirm/", views_staff.delivery_confirm, name="staff_delivery_confirm"),
    path("staff/deliveries/<uuid:public_id>/process/", views_staff.delivery_process, name="staff_delivery_process"),
    path("staff/deliveries/<uuid:public_id>/return/", views_staff.delivery_return, name="staff_delivery_return"),
    path("portal/<uuid:public_id>/deliveries/", views_portal.deliveries_page, name="client_deliveries"),
    path("portal/<uuid:public_id>/deliveries/upload/", views_portal.deliver, name="client_deliver"),
    path("portal/deliveries/<uuid:public_id>/", views_portal.delivery_page, name="client_delivery"),
    path("portal/deliveries/<uuid:public_id>/answer/", views_portal.delivery_answer, name="client_delivery_answer"),
    path("portal/deliveries/<uuid:public_id>/file/", views_portal.delivery_file, name="client_delivery_file"),
]
