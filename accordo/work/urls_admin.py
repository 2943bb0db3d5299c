from django.urls import path

from accordo.work import views_admin, views_workflows

app_name = "work_admin"

urlpatterns = [
    path("rules/", views_admin.rule_list, name="rule_list"),
    path("rules/new/", views_admin.rule_create, name="rule_create"),
    path("rules/<uuid:public_id>/", views_admin.rule_edit, name="rule_edit"),
    path("rules/<uuid:public_id>/delete/", views_admin.rule_delete, name="rule_delete"),
    path("rules/<uuid:public_id>/active/", views_admin.rule_active, name="rule_active"),
    path("mail-templates/", views_admin.mail_template_list, name="mail_template_list"),
    path("mail-templates/new/", views_admin.mail_template_create, name="mail_template_create"),
    path("mail-templates/<uuid:public_id>/", views_admin.mail_template_edit, name="mail_template_edit"),
    path("mail-templates/<uuid:public_id>/delete/", views_admin.mail_template_delete, name="mail_template_delete"),
    path("workflow-templates/", views_workflows.template_list, name="template_list"),
    path("workflow-templates/new/", views_workflows.template_create, name="template_create"),
    path("workflow-templates/<uuid:public_id>/", views_workflows.template_edit, name="template_edit"),
    path("workflow-templates/<uuid:public_id>/delete/", views_workflows.template_delete, name="template_delete"),
    path("workflow-templates/<uuid:public_id>/steps/", views_workflows.step_add, name="step_add"),
    path("workflow-steps/<uuid:public_id>/move/", views_workflows.step_move, name="step_move"),
    path("workflow-steps/<uuid:public_id>/remove/", views_workflows.step_remove, name="step_remove"),
    path("workflows/", views_workflows.workflow_list, name="workflow_list"),
    path("workflows/bulk/", views_workflows.bulk_start, name="bulk_start"),
    path("workflows/batches/<uuid:public_id>/", views_workflows.batch_detail, name="batch_detail"),
    path("workflows/<uuid:public_id>/", views_workflows.workflow_detail, name="workflow_detail"),
    path("workflows/<uuid:public_id>/cancel/", views_workflows.workflow_cancel, name="workflow_cancel"),
    path("clients/<uuid:public_id>/workflows/", views_workflows.organisation_workflows, name="organisation_workflows"),
    path("clients/<uuid:public_id>/workflows/start/", views_workflows.workflow_start, name="workflow_start"),
]
