from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "jiuzhu.ops"
    verbose_name = "运行维护"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.tasks.signals import task_finished

        from jiuzhu.ops.logs import log_task

        task_finished.connect(log_task, dispatch_uid="jiuzhu.ops.log_task")
