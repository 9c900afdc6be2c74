from django.http import JsonResponse
from django.urls import path


def index(request):
    return JsonResponse({"shop": "open"})


urlpatterns = [
    path("", index),
]
