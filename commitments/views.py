"""Public progress pages: published data only (PublishedDeliverable rows)."""

from django.http import Http404
from django.shortcuts import render


def home(request):
    return render(request, "commitments/home.html")


def deliverable_detail(request, pk):
    raise Http404


def department_detail(request, slug):
    raise Http404
