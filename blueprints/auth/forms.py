from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from domain.passwords import password_problem


class LoginForm(FlaskForm):
    login = StringField(_l("Логин"), validators=[DataRequired(_l("Введите логин.")), Length(max=60)])
    password = PasswordField(_l("Пароль"), validators=[DataRequired(_l("Введите пароль.")), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Текущий пароль"), validators=[DataRequired(_l("Введите текущий пароль."))])
    new_password = PasswordField(
        _l("Новый пароль"),
        validators=[
            DataRequired(_l("Введите новый пароль.")),
            Length(max=200),
        ],
    )
    confirm = PasswordField(
        _l("Повторите новый пароль"),
        validators=[DataRequired(_l("Повторите пароль.")), EqualTo("new_password", _l("Пароли не совпадают."))],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # whose password it is: it must not contain their login or name

    def validate_new_password(self, field):
        if not field.data:
            return
        user = self.user
        problem = password_problem(
            field.data,
            login=user.login if user else "",
            names=(user.last_name, user.first_name, user.middle_name) if user else (),
        )
        if problem:
            raise ValidationError(_(problem))
        if field.data == self.current_password.data:
            raise ValidationError(_l("Новый пароль должен отличаться от текущего."))


class CompromiseForm(FlaskForm):
    details = TextAreaField(_l("Что случилось (необязательно)"), validators=[Length(max=1000)])
