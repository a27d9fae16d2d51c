from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

MIN_PASSWORD_LENGTH = 8


class LoginForm(FlaskForm):
    login = StringField(_l("Логин"), validators=[DataRequired(_l("Введите логин.")), Length(max=60)])
    password = PasswordField(_l("Пароль"), validators=[DataRequired(_l("Введите пароль.")), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Текущий пароль"), validators=[DataRequired(_l("Введите текущий пароль."))])
    new_password = PasswordField(
        _l("Новый пароль"),
        validators=[
            DataRequired(_l("Введите новый пароль.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Пароль должен быть не короче %(n)s символов.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Повторите новый пароль"),
        validators=[DataRequired(_l("Повторите пароль.")), EqualTo("new_password", _l("Пароли не совпадают."))],
    )

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Новый пароль должен отличаться от текущего."))


class CompromiseForm(FlaskForm):
    details = TextAreaField(_l("Что случилось (необязательно)"), validators=[Length(max=1000)])
