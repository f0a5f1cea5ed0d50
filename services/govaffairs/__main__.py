from services.kit.grpc_server import serve
from services.govaffairs.service import DEFINITION

serve(DEFINITION)
