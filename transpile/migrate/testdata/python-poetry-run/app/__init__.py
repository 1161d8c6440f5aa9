from flask import Flask\napp = Flask(__name__)
