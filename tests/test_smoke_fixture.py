from ccm_desktop.services.patients import PatientInput


def test_ctx_fixture_opens_practice(ctx, clinician):
    pid = ctx.patients.create(clinician, PatientInput("A1", "Doe", "Jan", "1950-01-02", "F"))
    assert [r.id for r in ctx.patients.rows()] == [pid]
    assert len(ctx.practice.staff()) == 4
