from services.kit.grpc_server import serve
from services.emergency.service import DEFINITION

serve(DEFINITION)
