"""Attach a task to a patient or one of their appointments, from the task panel."""

from flask import g, request

from .. import services
from ..forms import LinkForm
from ..models import ObjectType
from ..web import field_error
from . import bp, render
from .tasks import _after_change, _detail


@bp.get("/tasks/<key:task_num>/patients")
def find_patient(task_num: int):
    """Search patients by name, to link one (or one of their appointments) to the task."""
    text = request.args.get("q", "")[:100]
    patients = services.search_patients(text=text)
    appointments = {
        p.pat_num: services.patient_appointments(pat_num=p.pat_num) for p in patients[:5]
    }
    return render(
        "board/task_page.html",
        "board/_patient_results.html",
        patients=patients,
        appointments=appointments,
        q=text,
        **_detail(task_num),
    )


@bp.post("/tasks/<key:task_num>/link")
def link_task(task_num: int):
    """Attach the task to a patient or an appointment, or detach it."""
    form = LinkForm(request.form)
    if form.validate():
        object_type = ObjectType(form.object_type.data)
        try:
            services.update_task(
                task_num=task_num,
                object_type=object_type,
                key_num=form.key_num.data if object_type != ObjectType.None_ else 0,
                actor=g.user.user_num,
            )
        except services.ServiceError as exc:
            field_error(form, exc, "key_num")
        else:
            return _after_change(task_num)
    return render(
        "board/task_page.html", "board/_task_detail.html", 422, **_detail(task_num, link_form=form)
    )
