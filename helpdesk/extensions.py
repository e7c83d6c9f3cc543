"""Extensions created once, unbound; create_app binds them."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from helpdesk.db import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
socketio = SocketIO()


def db_session() -> Session:
    """This request's database session, typed as the plain Session the services expect."""
    return db.session()
